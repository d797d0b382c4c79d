"""WTForms' built-in messages, listed so `pybabel extract` puts them in our catalog.

Flask-WTF translates WTForms' messages through the app's catalog, and WTForms
ships no Vietnamese; this module is never imported.
"""


def N_(message):
    return message


MESSAGES = (
    N_("This field is required."),
    N_("Invalid email address."),
    N_("Field must be at least %(min)d characters long."),
    N_("Field cannot be longer than %(max)d characters."),
    N_("Field must be exactly %(max)d characters long."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Not a valid integer value."),
    N_("Not a valid choice."),
    N_("'%(value)s' is not a valid choice for this field."),
    N_("'%(value)s' are not valid choices for this field."),
    N_("Invalid input."),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("The CSRF token is missing."),
    N_("The CSRF token is invalid."),
    N_("The CSRF token has expired."),
    N_("The CSRF tokens do not match."),
    N_("File does not have an approved extension: {extensions}"),
)
