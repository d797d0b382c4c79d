"""Backup and restore of one instance: the database and the uploaded attachments in one archive.

The archive is a gzip'd tar holding `manifest.json` (format, database kind, the sha256 of every
other member), the database (`database.sqlite3`, copied with SQLite's online backup API so a
running site gives a consistent copy; or `database.pgdump`, pg_dump's custom format) and
`uploads/<stored name>` for each attachment. Kept export files (a paid sheet's XLSX/CSV/PDF) live
in the database (sheet_files), so they travel with it.

Restore checks every hash before touching anything, and refuses a non-empty instance unless
forced: a restore replaces the whole instance, it never merges.
"""
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime, timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
UPLOADS = "uploads/"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is for the operator."""


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_url(url):
    """pg_dump and pg_restore take a libpq URL, not SQLAlchemy's `postgresql+psycopg://`."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _dump_database(engine, workdir):
    """Write the database into workdir; return (kind, member name, path)."""
    if engine.dialect.name == "sqlite":
        target = os.path.join(workdir, SQLITE_MEMBER)
        source = sqlite3.connect(engine.url.database)
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)  # the online backup API: a consistent copy while the site runs
        finally:
            dest.close()
            source.close()
        return "sqlite", SQLITE_MEMBER, target
    if engine.dialect.name == "postgresql":
        if not shutil.which("pg_dump"):
            raise BackupError("pg_dump is not installed; see README (Backup and restore).")
        target = os.path.join(workdir, PG_MEMBER)
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _pg_url(engine.url)],
                       check=True, capture_output=True)
        return "postgresql", PG_MEMBER, target
    raise BackupError(f"No backup for the {engine.dialect.name} database.")


def archive_path(destination, now=None):
    """A directory gets a time-stamped file name inside it; anything else is the file itself."""
    if os.path.isdir(destination):
        stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
        return os.path.join(destination, f"bbt-backup-{stamp}.tar.gz")
    return destination


def backup(engine, upload_folder, destination):
    """Write the archive; return its path and the manifest."""
    path = archive_path(destination)
    with tempfile.TemporaryDirectory() as workdir:
        kind, member, db_file = _dump_database(engine, workdir)
        files = {member: db_file}
        if os.path.isdir(upload_folder):
            for name in sorted(os.listdir(upload_folder)):
                full = os.path.join(upload_folder, name)
                if os.path.isfile(full):
                    files[UPLOADS + name] = full
        manifest = {"format": FORMAT, "database": kind,
                    "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "sha256": {name: _sha256_file(full) for name, full in files.items()}}
        partial = path + ".part"  # never leave a half-written archive under the real name
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            for name, full in files.items():
                tar.add(full, arcname=name, recursive=False)
        os.replace(partial, path)
    return path, manifest


def _safe_member(name):
    if name == MANIFEST or name in (SQLITE_MEMBER, PG_MEMBER):
        return True
    rest = name[len(UPLOADS):] if name.startswith(UPLOADS) else ""
    return bool(rest) and "/" not in rest and "\\" not in rest and rest not in (".", "..")


def verify(archive, workdir):
    """Unpack into workdir and check the manifest against every member; return the manifest."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                if not member.isfile() or not _safe_member(member.name):
                    raise BackupError(f"Unexpected member in the archive: {member.name!r}.")
            tar.extractall(workdir, members=members, filter="data")
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        if isinstance(exc, BackupError):
            raise
        raise BackupError(f"The archive is damaged or unreadable: {exc}") from exc
    try:
        with open(os.path.join(workdir, MANIFEST), encoding="utf-8") as fh:
            manifest = json.load(fh)
    except (OSError, ValueError) as exc:
        raise BackupError("The archive has no readable manifest.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown archive format {manifest.get('format')!r}.")
    expected = manifest.get("sha256") or {}
    present = {m.name for m in members} - {MANIFEST}
    if present != set(expected):
        raise BackupError("The archive's files do not match its manifest.")
    for name, digest in expected.items():
        if _sha256_file(os.path.join(workdir, name)) != digest:
            raise BackupError(f"Checksum mismatch for {name}: the archive is damaged.")
    return manifest


def _restore_database(engine, manifest, workdir):
    kind = manifest.get("database")
    if kind != engine.dialect.name:
        raise BackupError(f"The archive holds a {kind} database; this instance uses {engine.dialect.name}.")
    engine.dispose()  # no pooled connection may keep the old database open
    if kind == "sqlite":
        source = sqlite3.connect(os.path.join(workdir, SQLITE_MEMBER))
        dest = sqlite3.connect(engine.url.database)
        try:
            source.backup(dest)  # replaces every page of the target, atomically for readers
        finally:
            dest.close()
            source.close()
        return
    if not shutil.which("pg_restore"):
        raise BackupError("pg_restore is not installed; see README (Backup and restore).")
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                    f"--dbname={_pg_url(engine.url)}", os.path.join(workdir, PG_MEMBER)],
                   check=True, capture_output=True)


def restore(engine, upload_folder, archive, instance_is_empty, force=False):
    """Replace the instance with the archive's content. `instance_is_empty` is checked by the caller
    (it knows the models); a non-empty instance needs force."""
    with tempfile.TemporaryDirectory() as workdir:
        manifest = verify(archive, workdir)
        has_files = os.path.isdir(upload_folder) and bool(os.listdir(upload_folder))
        if (not instance_is_empty or has_files) and not force:
            raise BackupError("This instance already has data; restore replaces it all. Use --force.")
        _restore_database(engine, manifest, workdir)
        if os.path.isdir(upload_folder):
            shutil.rmtree(upload_folder)
        os.makedirs(upload_folder, exist_ok=True)
        source = os.path.join(workdir, UPLOADS)
        if os.path.isdir(source):
            for name in os.listdir(source):
                shutil.copy2(os.path.join(source, name), os.path.join(upload_folder, name))
    return manifest
