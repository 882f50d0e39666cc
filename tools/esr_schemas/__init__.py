"""Registre des schémas ESR: loader, checks, validator, templates, site and catalog."""
