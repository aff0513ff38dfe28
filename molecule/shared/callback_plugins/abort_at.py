"""Test harness only, never in the roles: kill ansible-playbook with SIGKILL (as a laptop that loses
power would) right after the first task whose name contains ROOST_TEST_ABORT_AT finished on a host.

conftest.run_playbook(..., abort_at="...") enables it.
"""

import os
import signal

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: abort_at
type: aggregate
short_description: Kill the run right after a named task (tests only)
description: Reads the task name to stop after from ROOST_TEST_ABORT_AT.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "abort_at"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.target = os.environ.get("ROOST_TEST_ABORT_AT", "")

    def _finished(self, result):
        if self.target and self.target in (result._task.name or ""):
            os.kill(os.getpid(), signal.SIGKILL)

    def v2_runner_on_ok(self, result):
        self._finished(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._finished(result)

    def v2_runner_on_skipped(self, result):
        pass
