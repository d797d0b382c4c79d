"""Files made by background tasks (a big sheet's XLSX), kept on disk beside the uploads until fetched.

One file per task, named by the task id only: nothing from a user's input reaches the path.
"""
import os

from flask import current_app


def _folder():
    uploads = current_app.config.get("UPLOAD_FOLDER") or os.path.join(current_app.instance_path, "uploads")
    return os.path.join(uploads, "task-files")


def keep_task_file(task_id, content):
    os.makedirs(_folder(), exist_ok=True)
    path = os.path.join(_folder(), f"{int(task_id)}.bin")
    with open(path + ".part", "wb") as out:
        out.write(content)
    os.replace(path + ".part", path)  # whole or not at all


def read_task_file(task_id):
    """The bytes, or None when the file is gone."""
    try:
        with open(os.path.join(_folder(), f"{int(task_id)}.bin"), "rb") as kept:
            return kept.read()
    except FileNotFoundError:
        return None


def drop_task_file(task_id):
    """Remove the file (an expired export); a file already gone is fine."""
    try:
        os.remove(os.path.join(_folder(), f"{int(task_id)}.bin"))
    except FileNotFoundError:
        pass
