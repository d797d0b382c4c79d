"""`flask bbt ...` commands for operators."""
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select

from .accounts.models import User
from .accounts.services import create_user
from .backup import BackupError, backup, restore
from .demo_data import load_demo_data
from .errors import ServiceError
from .extensions import db
from .jobs import run_worker
from .redis_jobs import run_redis_worker
from .mailqueue.worker import send_due_emails
from .publishing.models import ENCRYPTED_COLUMNS, PortalEndpoint
from .secret_box import rotate_columns
from .submissions.attachments import upload_folder

bbt_cli = AppGroup("bbt", help="BBT Workflow administration.")


@bbt_cli.command("init")
def init_command():
    """Create or upgrade the database schema (Alembic migrations)."""
    upgrade()
    click.echo("Database schema is up to date.")


@bbt_cli.command("rotate-secrets")
def rotate_secrets_command():
    """Re-encrypt the stored endpoint secrets under the first of SECRETS_KEYS (after adding a key)."""
    changed = rotate_columns(db.session.connection(), PortalEndpoint.__tablename__, "id", ENCRYPTED_COLUMNS)
    db.session.commit()
    click.echo(f"Re-encrypted {changed} stored secret(s) under the first key of SECRETS_KEYS.")


@bbt_cli.command("create-admin")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--full-name", required=True)
@click.option("--password", help="Prompted for when not given.")
def create_admin_command(username, email, full_name, password):
    """Create an administrator account."""
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(None, username=username, email=email, full_name=full_name,
                           password=password, is_admin=True)
    except ServiceError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.details.items())
        click.echo(f"Error: {exc.message} {details}".strip(), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Administrator {user.username} created.")


@bbt_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def demo_command(if_empty):
    """Load realistic demo data: the provincial portal, three component sites, units, users."""
    if db.session.scalar(select(func.count(User.id))):
        if if_empty:
            click.echo("Database already has data; demo data not loaded.")
            return
        click.echo("The database already has users; demo data is for an empty database.", err=True)
        sys.exit(1)
    accounts = load_demo_data()
    db.session.commit()
    click.echo("Demo data loaded. Demo accounts (shown once; change them before real use):")
    click.echo(f"  {'username':<14} {'password':<22} role")
    for username, password, description in accounts:
        click.echo(f"  {username:<14} {password:<22} {description}")


@bbt_cli.command("worker")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between polls.")
def worker_command(interval):
    """Run background jobs: the publishing relay and scheduler, the mail queue, claim timeouts."""
    app = current_app._get_current_object()
    if app.config.get("JOB_BACKEND") == "redis":
        run_redis_worker(app, interval=interval)  # one of several workers sharing the work
    else:
        run_worker(app, interval=interval)


@bbt_cli.command("send-mail")
def send_mail_command():
    """Send due queued mail once and exit."""
    sent, failed = send_due_emails()
    click.echo(f"sent {sent}, failed {failed}")


@bbt_cli.command("backup")
@click.argument("destination", type=click.Path())
def backup_command(destination):
    """Write the database and the attachments into one archive (a directory gets a dated file name)."""
    try:
        path, manifest = backup(db.engine, upload_folder(), destination)
    except BackupError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Backup written: {path} ({len(manifest['sha256'])} files, sha256 in manifest.json)")


@bbt_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace an instance that already has data.")
def restore_command(archive, force):
    """Replace this instance's database and attachments with a backup archive."""
    db.session.remove()
    # A database with no schema yet (a fresh PostgreSQL one) is empty too.
    empty = (not inspect(db.engine).has_table(User.__tablename__)
             or not db.session.scalar(select(func.count(User.id))))
    db.session.remove()
    try:
        restore(db.engine, upload_folder(), archive, instance_is_empty=empty, force=force)
    except BackupError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Restored from {archive}.")
