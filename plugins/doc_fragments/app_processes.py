# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations


class ModuleDocFragment:
    # The options the app_programs and job_units filters share: which app, where, as whom.
    DOCUMENTATION = r"""
options:
  app: {description: The app's name., type: str, required: true}
  root: {description: The app's root., type: str, required: true}
  user: {description: The app's user., type: str, required: true}
  env_file: {description: The app's environment file., type: str, required: true}
  existing: {description: The names of the app's programs or jobs of this kind on the host., type: list, elements: str, default: []}
"""
