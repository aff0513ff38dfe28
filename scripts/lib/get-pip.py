"""Stands in for pypa's get-pip.py, which ansible-test fetches from a host CI cannot reach.

ansible-test runs it in each new sanity virtualenv as `get-pip.py [pip options] pip==X.Y`: pip comes
from Python's own ensurepip wheel, then installs what ansible-test asked for from PyPI, as pip does.
scripts/test seeds ansible-test's cache with it (the path ansible-test's own error message names).
"""

import subprocess
import sys

# get-pip.py's own options, which pip install does not take.
GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")

# In a process of its own: ensurepip turns pip's configuration off (PIP_CONFIG_FILE=/dev/null) in the
# environment of the process it runs in, and this machine's pip.conf names the CA bundle to trust.
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *(a for a in sys.argv[1:] if a not in GET_PIP_ONLY)]))
