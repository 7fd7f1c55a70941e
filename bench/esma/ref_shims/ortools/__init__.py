# Stub: the ESMA path never uses ortools (only mobius.find_transform does).
