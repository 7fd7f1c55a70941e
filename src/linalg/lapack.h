// The few LAPACK routines LibTorch does not expose (internal). They come from
// the same liblapack.so.3 LibTorch links (OpenBLAS on Debian).
#pragma once

extern "C" {
void dgeqp3_(const int* m, const int* n, double* a, const int* lda, int* jpvt, double* tau, double* work,
             const int* lwork, int* info);
void sgeqp3_(const int* m, const int* n, float* a, const int* lda, int* jpvt, float* tau, float* work,
             const int* lwork, int* info);
}
