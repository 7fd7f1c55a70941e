# Makes lavaan_reference.json: lavaan's ML fits of the models below on the
# committed data, the reference for SemFit.MatchesLavaan.
#
#   apt-get install r-cran-lavaan        # 0.6.14 on Debian 12
#   cd tests/data/sem && Rscript lavaan_reference.R > lavaan_reference.json
#
# The data were drawn by factorkit itself:
#   factorkit --seed 11 sem simulate --graph "m ~ x1 + x2; y ~ m + x2; z ~ y; x1 ~~ x2" \
#     --theta "l(x1,m)=0.5, l(x2,m)=-0.4, l(m,y)=0.7, l(x2,y)=0.3, l(y,z)=0.6, w(x1,x2)=0.4, w(m,m)=0.8" \
#     --n 400 -o acyclic.csv
#   factorkit --seed 12 sem simulate --graph "v2 ~ v1 + v4; v3 ~ v2; v4 ~ v3; v1 ~~ v4" \
#     --theta "l(v1,v2)=0.8, l(v2,v3)=0.6, l(v3,v4)=-0.5, l(v4,v2)=0.7, w(v2,v2)=0.5, w(v3,v3)=1.5, w(v4,v4)=0.8, w(v1,v4)=0.3" \
#     --n 400 -o cyclic.csv
#
# Settings that make lavaan fit factorkit's model: every variance and every
# listed covariance free, exogenous variables included (fixed.x = FALSE); the
# likelihood with S divided by n (likelihood = "normal", lavaan's default);
# standard errors from the observed information (the Hessian).
suppressMessages(library(lavaan))

models <- list(
  list(graph = "m ~ x1 + x2; y ~ m + x2; z ~ y; x1 ~~ x2", data = "acyclic.csv"),
  list(graph = "v2 ~ v1 + v4; v3 ~ v2; v4 ~ v3; v1 ~~ v4", data = "cyclic.csv")
)

num <- function(x) formatC(x, digits = 15, format = "g")

out <- c()
for (m in models) {
  d <- read.csv(m$data)
  # lavaan syntax is the graph's syntax with new lines; variances are added
  # explicitly so every one is a free parameter
  syntax <- paste(c(strsplit(m$graph, ";")[[1]], paste(names(d), "~~", names(d))), collapse = "\n")
  f <- sem(syntax, data = d, estimator = "ML", fixed.x = FALSE, information = "observed",
           likelihood = "normal", meanstructure = FALSE,
           control = list(rel.tol = 1e-10, eval.max = 10000, iter.max = 10000))
  pe <- parameterEstimates(f)
  pe <- pe[pe$op %in% c("~", "~~") & !is.na(pe$se) & pe$se > 0, ]
  fm <- fitMeasures(f, c("chisq", "df", "pvalue", "rmsea", "cfi", "tli", "baseline.chisq", "logl", "aic", "bic"))
  pars <- sprintf('{"lhs": "%s", "op": "%s", "rhs": "%s", "est": %s, "se": %s}', pe$lhs, pe$op, pe$rhs,
                  num(pe$est), num(pe$se))
  out <- c(out, sprintf(paste0('{"graph": "%s", "data": "%s", "chisq": %s, "df": %d, "pvalue": %s, "rmsea": %s, ',
                               '"cfi": %s, "tli": %s, "baseline_chisq": %s, "logl": %s, "aic": %s, "bic": %s, ',
                               '"parameters": [\n    %s]}'),
                        m$graph, m$data, num(fm[["chisq"]]), as.integer(fm[["df"]]), num(fm[["pvalue"]]),
                        num(fm[["rmsea"]]), num(fm[["cfi"]]), num(fm[["tli"]]), num(fm[["baseline.chisq"]]),
                        num(fm[["logl"]]), num(fm[["aic"]]), num(fm[["bic"]]), paste(pars, collapse = ",\n    ")))
}
cat(sprintf('{"generator": "lavaan %s (lavaan_reference.R)", "models": [\n  %s]}\n',
            as.character(packageVersion("lavaan")), paste(out, collapse = ",\n  ")))
