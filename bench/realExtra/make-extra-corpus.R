# A second held-out set of real series, for reporting only (no method is chosen on it): public series of the same
# kinds as ../shared/eval that neither the 17 held-out tails nor the tuning set (bench/realDev) use, each cut once,
# before its last h points. Yearly US macro history (Nelson & Plosser, tseries), a 370-year wheat price index,
# quarterly US money and rates, monthly treasury yields, unemployment, savings, ENSO sea temperature and sunspots (the
# last 240 months of each), road casualties and petrol prices, and daily river flow and share prices.
# Each case: training part, the next h points, and R forecast's ets, thetaf and auto.arima of them (80%).
# Usage (from the repository): Rscript bench/realExtra/make-extra-corpus.R bench/realExtra/extraCorpus.json
suppressPackageStartupMessages({ library(forecast); library(tseries) })
args <- commandArgs(trailingOnly = TRUE)
out_file <- args[1]
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])))
source(file.path(here, "..", "realDev", "references.R"))
calendar <- function(y) { t <- iso(y); if (is.null(t)) stop("no calendar for this frequency"); t }
last_months <- function(y, n = 240) window(y, start = time(y)[length(y) - n + 1])
data(NelPlo); data(USeconomic); data(tcm); data(nino); data(bev); data(ice.river)
data(unemployment, package = "lmtest")
econ <- ggplot2::economics
econ_ts <- function(col) ts(econ[[col]], start = c(1967, 7), frequency = 12)
cases <- list()
add <- function(name, y, h, t = NULL) {
  y <- na.omit(y)
  if (is.null(t)) t <- calendar(y)
  stopifnot(length(t) == length(y))
  cases[[length(cases) + 1]] <<- list(name = name, set = "extra", y = as.numeric(y), f = frequency(y), t = t, n = length(y) - h, h = h)
}
for (col in c("cpi", "ip", "gnp.nom", "vel", "emp", "int.rate", "nom.wages", "gnp.def", "money.stock", "gnp.real",
  "stock.prices", "gnp.capita", "real.wages", "unemp")) add(paste0("NelPlo_", col), NelPlo[, col], 6)
add("bev_recent", window(bev, start = 1750), 10)
add("unemployment_UN", unemployment[, "UN"], 6)
add("USeconomic_M1", exp(USeconomic[, "log(M1)"]), 8)
add("USeconomic_GNP", exp(USeconomic[, "log(GNP)"]), 8)
add("USeconomic_rs", USeconomic[, "rs"], 8)
add("USeconomic_rl", USeconomic[, "rl"], 8)
add("tcm1y_recent", last_months(tcm[, "tcm1y"]), 12)
add("tcm10y_recent", last_months(tcm[, "tcm10y"]), 12)
add("nino34_recent", last_months(nino3.4), 12)
add("sunspot.month_recent", last_months(sunspot.month), 24)
for (col in c("pce", "psavert", "uempmed", "unemploy")) add(paste0("economics_", col), last_months(econ_ts(col)), 12)
add("Seatbelts_DriversKilled", Seatbelts[, "DriversKilled"], 12)
add("Seatbelts_PetrolPrice", Seatbelts[, "PetrolPrice"], 12)
flow <- tail(as.numeric(ice.river[, "flow.vat"]), 300)
add("flow.vat_recent", ts(flow), 30, step_iso(300, "1974-01-01", 86400))
cac <- tail(as.numeric(EuStockMarkets[, "CAC"]), 500)
add("CAC_recent", ts(cac), 30, step_iso(500, "1996-01-01", 86400))
add("beaver1_temp", ts(beaver1$temp), 10, step_iso(nrow(beaver1), "2000-01-01", 600))
write_cases(cases, out_file)
