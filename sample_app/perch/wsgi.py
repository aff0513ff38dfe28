"""The WSGI entry point servers load: ``perch.wsgi:application``."""

from . import create_app

application = create_app()
