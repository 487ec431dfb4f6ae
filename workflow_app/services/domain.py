"""Imports the domain modules so that their process hooks are registered."""
