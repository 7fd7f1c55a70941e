// methods/esma/esma.h — ESMA (Razon et al., ICML 2023): conjectures on
// mathematical constants from signed continued fractions.
//
//   expression.h  constants and expressions to any precision (Arb)
//   scf.h         signed continued fractions, Berlekamp–Massey, approval, a_n
//   search.h      the enumeration, its checkpoint and the approval step
//   checkpoint.h  the resumable state (FLINT-free, fuzzed)
#pragma once

#include "checkpoint.h"
#include "expression.h"
#include "scf.h"
#include "search.h"
