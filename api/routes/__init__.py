"""One router per job; each is thin: parse, call ``assistant``, return its model."""
