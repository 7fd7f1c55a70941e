# Replacement for sympy.core.compatibility.with_metaclass (absent from sympy 1.11;
# the whole module is gone later). Needed by ramanujan/constants.py. install() adds it.
import sys
import types


def with_metaclass(meta, *bases):
    """Base class built by `meta` from `bases` (py2/3 metaclass idiom)."""
    class _Meta(meta):
        def __new__(mcs, name, _bases, namespace):
            return meta(name, bases, namespace)
    return type.__new__(_Meta, "_WithMetaclassBase", (), {})


def install():
    """Make `from sympy.core.compatibility import with_metaclass` work."""
    import warnings
    import sympy.core
    with warnings.catch_warnings():  # sympy 1.10-1.12: deprecated stub module
        warnings.simplefilter("ignore")
        try:
            import sympy.core.compatibility as mod
        except ImportError:  # sympy >= 1.13: gone
            mod = types.ModuleType("sympy.core.compatibility")
            sys.modules["sympy.core.compatibility"] = mod
            sympy.core.compatibility = mod
    if not hasattr(mod, "with_metaclass"):
        mod.with_metaclass = with_metaclass
