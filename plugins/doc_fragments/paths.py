# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations


class ModuleDocFragment:
    # The paths option of the modules that put files in place (plugins/module_utils/files.py).
    DOCUMENTATION = r"""
options:
  paths:
    description: What to put in place, in order.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path on the host.
        type: path
        required: true
      state:
        description:
          - V(file) writes O(paths[].content); V(directory) creates the directory; V(link) makes the path
            a symbolic link to O(paths[].src) (replaced in one rename when it points elsewhere; it is the
            creator's, root's, and has no mode of its own); V(absent) removes a file or symbolic link, and
            refuses a directory.
          - The parent of a file or directory must exist, or be created earlier in the list.
        type: str
        choices: [file, directory, link, absent]
        default: file
      src:
        description: What the link points at; required with O(paths[].state=link).
        type: str
      content:
        description: The file's whole content; required with O(paths[].state=file).
        type: str
      owner:
        description: User that owns the file or directory.
        type: str
        default: root
      group:
        description: Group of the file or directory.
        type: str
        default: root
      mode:
        description:
          - Permissions, as an octal string such as V("0644") (an integer is taken as the number it is,
            so YAML's C(0644) works too); required with V(file) and V(directory).
        type: raw
      validate:
        description:
          - Command that checks a new content before it is put in place; C(%s) stands for the
            temporary file's path and must appear. A non-zero exit fails the task and leaves the old
            file as it was.
        type: str
"""
