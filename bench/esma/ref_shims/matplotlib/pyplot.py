# Stub pyplot: every attribute is a no-op function.
def __getattr__(name):
    return lambda *args, **kwargs: None
