"""The domain services. They take the acting user as an argument, raise `DomainError`s and never touch HTTP."""
