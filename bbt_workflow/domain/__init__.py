"""Pure Python rules: no Flask, no database."""
