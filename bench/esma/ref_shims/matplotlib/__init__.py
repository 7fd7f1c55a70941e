# Stub: plotting is only used by convergence-rate plots (not by the search).
