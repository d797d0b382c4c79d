"""A payee's tax year (issue 17): what the paid sheets paid and withheld, by payment month."""
