# Stub of ortools' MIP solver; any use is an error.
class Solver:
    CBC_MIXED_INTEGER_PROGRAMMING = 0
    OPTIMAL = 0

    def __init__(self, *args, **kwargs):
        raise RuntimeError("ortools stub: Solver is not available")
