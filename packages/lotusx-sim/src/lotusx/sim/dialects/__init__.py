"""Wire-protocol dialects, one subpackage per exchange."""
