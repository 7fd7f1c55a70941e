-- bench/sem/peer.m2: Macaulay2's side of the SEM vanishing-ideal benchmark.
--
--   M2 --script bench/sem/peer.m2 MODE N "{{i,j},...}" "{{i,j},...}" MAXDEG
--
-- N vertices 1..N, directed edges i -> j, bidirected edges i <-> j, and the
-- highest degree wanted. MODE:
--   gm      GraphicalModels' gaussianVanishingIdeal (refuses directed cycles)
--   elim    the same elimination, extended to cycles: Sigma det^2 = N with
--           z det = 1, eliminating the parameters and z
--   ker     the kernel of the ring map s_ij -> N_ij
--   gb      the graph ideal of that map, made homogeneous, with a Groebner
--           basis truncated at the degree that holds every relation of degree
--           <= MAXDEG in the s_ij (DegreeLimit)
--   linalg  degree by degree, the kernel of the coefficient matrix of the
--           degree-d monomials in the N_ij (factorkit's algorithm, in M2)
-- Prints "SECONDS t" (wall time of set-up plus computation, after the
-- packages are loaded) and one "GEN f" per generator of degree <= MAXDEG
-- (for linalg: every element of a basis of each degree-d part).
needsPackage "Graphs";
needsPackage "GraphicalModels";

args := drop(scriptCommandLine, 1);
mode := args#0;
n := value args#1;
D := value args#2;
B := value args#3;
maxDeg := value args#4;

-- the covariance ring, in the variables s_(i,j), i <= j
pairs := flatten apply(toList(1..n), i -> apply(toList(i..n), j -> (i, j)));
S := QQ[apply(pairs, ij -> (symbol s)_ij)];

report := (t, gensList) -> (
    print("SECONDS " | toString t);
    scan(gensList, f -> print("GEN " | toString f)));

-- the parametrization: N = adj(I - L)^T W adj(I - L) = Sigma det(I - L)^2
setup := () -> (
    lv := apply(D, e -> (symbol l)_(e#0, e#1));
    wv := apply(toList(1..n), i -> (symbol w)_(i, i)) | apply(B, e -> (symbol w)_(e#0, e#1));
    P := QQ[lv | wv];
    L := matrix table(n, n, (i, j) -> if member({i+1, j+1}, D) then P_(position(D, e -> e == {i+1, j+1})) else 0_P);
    W := matrix table(n, n, (i, j) -> (
        if i == j then P_(#D + i)
        else (k := position(B, e -> e == {i+1, j+1} or e == {j+1, i+1});
              if k === null then 0_P else P_(#D + n + k))));
    A := id_(P^n) - L;
    adjA := matrix table(n, n, (i, j) ->
        (-1)^(i+j) * det submatrix(A, toList(0..n-1) - set{j}, toList(0..n-1) - set{i}));
    N := transpose(adjA) * W * adjA;
    (P, N, det A));

lowDegree := I -> select(flatten entries mingens I, f -> f != 0 and first degree f <= maxDeg);

runGm = () -> (
    (t, I) := toSequence elapsedTiming (
        R := gaussianRing mixedGraph(digraph(toList(1..n), D), bigraph(toList(1..n), B));
        gaussianVanishingIdeal R);
    -- gaussianRing names the covariances s_(i,j) too: move them to S
    toS := map(S, ring I, apply(gens ring I, v -> (
        b := baseName v;
        if instance(b, IndexedVariable) and first b === symbol s then S_(position(pairs, ij -> ij == last b)) else 0_S)));
    report(t, lowDegree toS I));
runElim = () -> (
    (t, gs) := toSequence elapsedTiming (
        (P, N, d) := setup();
        T := QQ[gens P | {symbol z} | gens S, MonomialOrder => Eliminate(numgens P + 1)];
        toT := map(T, P, take(gens T, numgens P));
        sT := drop(gens T, numgens P + 1);
        J := ideal apply(#pairs, k -> sT#k * toT(d)^2 - toT(N_(pairs#k#0 - 1, pairs#k#1 - 1))) + ideal(T_(numgens P) * toT(d) - 1);
        E := eliminate(take(gens T, numgens P + 1), J);
        back := map(S, T, toList(numgens P + 1 : 0_S) | gens S);
        lowDegree back E);
    report(t, gs));
runKer = () -> (
    (t, gs) := toSequence elapsedTiming (
        (P, N, d) := setup();
        lowDegree ker map(P, S, apply(pairs, ij -> N_(ij#0 - 1, ij#1 - 1))));
    report(t, gs));
runGb = () -> (
    (t, gs) := toSequence elapsedTiming (
        (P, N, d) := setup();
        nl := #D;
        -- homogenize in the lambdas with t: t^g N(l / t, w), g the highest lambda-degree;
        -- with l, w, t of degree 1 and s of degree g + 1 the graph ideal is homogeneous
        Nl := apply(pairs, ij -> N_(ij#0 - 1, ij#1 - 1));
        g := max apply(Nl, f -> max apply(exponents f, e -> sum take(e, nl)));
        m := numgens P + 1;
        T := QQ[gens P | {symbol t} | gens S, Degrees => toList(m : 1) | toList(#pairs : g + 1), MonomialOrder => Eliminate m];
        toT := map(T, P, take(gens T, numgens P));
        homog := f -> sum apply(terms f, u -> (
            e := first exponents u;
            toT(u) * T_(numgens P)^(g - sum take(e, nl))));
        sT := drop(gens T, m);
        J := ideal apply(#pairs, k -> sT#k - homog(Nl#k));
        G := gb(J, DegreeLimit => {maxDeg * (g + 1)});
        back := map(S, T, toList(m : 0_S) | gens S);
        select(apply(flatten entries selectInSubring(1, gens G), f -> back f), f -> f != 0 and first degree f <= maxDeg));
    report(t, gs));
runLinalg = () -> (
    (t, gs) := toSequence elapsedTiming (
        (P, N, d) := setup();
        phi := map(P, S, apply(pairs, ij -> N_(ij#0 - 1, ij#1 - 1)));
        flatten apply(toList(1..maxDeg), deg -> (
            mons := basis(deg, S);
            (M, C) := coefficients phi mons;
            K := gens ker lift(C, QQ);
            if numColumns K == 0 then {} else flatten entries (mons * sub(K, S)))));
    report(t, gs));
modes := hashTable {"gm" => runGm, "elim" => runElim, "ker" => runKer, "gb" => runGb, "linalg" => runLinalg};
if not modes#?mode then error("unknown mode " | mode);
modes#mode();
