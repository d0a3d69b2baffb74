# A tuning set for the real-corpus bench, kept apart from the 17 held-out tails of ../shared/eval:
# (a) other public series of the same kinds (R 4.2 'datasets', forecast's own), each cut at three origins;
# (b) the 17 corpus series' own training parts, cut one and two horizons before the held-out tail (never the tail).
# Each case: training part, the next h points, and R forecast 8.20's ets, thetaf and auto.arima of them (80%).
# Usage (from the repository): Rscript bench/realDev/make-dev-corpus.R ../shared/eval bench/realDev/devCorpus.json
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
eval_dir <- args[1]; out_file <- args[2]
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])))
source(file.path(here, "references.R"))
daily <- function(y) step_iso(length(y), "2000-01-03", 86400)
other <- list(
  list(name = "AirPassengers", y = AirPassengers, h = 12),
  list(name = "co2", y = co2, h = 24),
  list(name = "nottem", y = nottem, h = 12),
  list(name = "USAccDeaths", y = USAccDeaths, h = 12),
  list(name = "wineind", y = wineind, h = 12),
  list(name = "gas", y = gas, h = 24),
  list(name = "Seatbelts_front", y = Seatbelts[, "front"], h = 12),
  list(name = "Seatbelts_rear", y = Seatbelts[, "rear"], h = 12),
  list(name = "Seatbelts_VanKilled", y = Seatbelts[, "VanKilled"], h = 12),
  list(name = "Seatbelts_kms", y = Seatbelts[, "kms"], h = 12),
  list(name = "JohnsonJohnson", y = JohnsonJohnson, h = 8),
  list(name = "austres", y = austres, h = 8),
  list(name = "UKgas", y = UKgas, h = 8),
  list(name = "woolyrnq", y = woolyrnq, h = 8),
  list(name = "sunspot.year", y = sunspot.year, h = 10),
  list(name = "treering_recent", y = ts(tail(as.numeric(treering), 300), start = 1680), h = 10),
  list(name = "lh", y = lh, h = 8, ts = step_iso(48, "2000-01-01", 600)),
  list(name = "BJsales.lead", y = BJsales.lead, h = 15, ts = step_iso(150, "2000-01-01", 86400)),
  list(name = "DAX_recent", y = ts(tail(as.numeric(EuStockMarkets[, "DAX"]), 500)), h = 30, ts = step_iso(500, "2000-01-03", 86400)),
  list(name = "FTSE_recent", y = ts(tail(as.numeric(EuStockMarkets[, "FTSE"]), 500)), h = 30, ts = step_iso(500, "2000-01-03", 86400)),
  list(name = "SMI_recent", y = ts(tail(as.numeric(EuStockMarkets[, "SMI"]), 500)), h = 30, ts = step_iso(500, "2000-01-03", 86400)),
  list(name = "airquality_temp", y = ts(airquality$Temp), h = 15, ts = step_iso(153, "1973-05-01", 86400))
)
cases <- list()
for (s in other) {
  ts_ <- if (!is.null(s$ts)) s$ts else iso(s$y)
  stopifnot(length(ts_) == length(s$y))
  for (k in 0:2) cases[[length(cases) + 1]] <- list(name = sprintf("%s@-%d", s$name, (k + 1) * s$h), set = "other", y = as.numeric(s$y),
    f = frequency(s$y), t = ts_, n = length(s$y) - (k + 1) * s$h, h = s$h)
}
specs <- jsonlite::fromJSON(file.path(eval_dir, "series.json"), simplifyVector = FALSE)
for (s in specs) {
  d <- read.csv(file.path(eval_dir, "data", s$file))
  train_n <- nrow(d) - s$h
  for (k in 1:2) {
    n <- train_n - (k - 1) * s$h
    if (n - s$h < 2 * max(1, s$freq) + 4) next
    cases[[length(cases) + 1]] <- list(name = sprintf("%s@train-%d", s$name, k * s$h), set = "history", y = d$value, f = s$freq,
      t = as.character(d$timestamp), n = n - s$h, h = s$h)
  }
}
write_cases(cases, out_file)
