"""`flask bbt ...` commands for operators."""
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, select

from .accounts.models import User
from .accounts.services import create_user
from .demo_data import load_demo_data
from .errors import ServiceError
from .extensions import db
from .jobs import run_worker
from .mailqueue.worker import send_due_emails

bbt_cli = AppGroup("bbt", help="BBT Workflow administration.")


@bbt_cli.command("init")
def init_command():
    """Create or upgrade the database schema (Alembic migrations)."""
    upgrade()
    click.echo("Database schema is up to date.")


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
    run_worker(current_app._get_current_object(), interval=interval)


@bbt_cli.command("send-mail")
def send_mail_command():
    """Send due queued mail once and exit."""
    sent, failed = send_due_emails()
    click.echo(f"sent {sent}, failed {failed}")
