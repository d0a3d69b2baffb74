# Shared by the real-series corpus scripts (bench/realDev, bench/realExtra): calendar timestamps for a ts, and the
# cases written as JSON with R forecast's ets, thetaf and auto.arima of each cut (80%).
iso <- function(y) {
  f <- frequency(y); tt <- as.numeric(time(y))
  if (f == 12) return(sprintf("%04d-%02d-01", floor(tt + 1e-6), round((tt - floor(tt + 1e-6)) * 12) + 1))
  if (f == 4) return(sprintf("%04d-%02d-01", floor(tt + 1e-6), 3 * round((tt - floor(tt + 1e-6)) * 4) + 1))
  if (f == 1 && min(tt) > 1000) return(sprintf("%04d-01-01", round(tt)))
  NULL
}
step_iso <- function(n, start, secs) format(as.POSIXct(start, tz = "UTC") + (0:(n - 1)) * secs, "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")
json_num <- function(x) paste0("[", paste(sprintf("%.10g", as.numeric(x)), collapse = ","), "]")
json_str <- function(x) paste0("[", paste0('"', x, '"', collapse = ","), "]")

# cases: lists of name, set, y (all values), f (frequency), t (timestamps), n (training length), h.
write_cases <- function(cases, out_file) {
  out <- c()
  for (c in cases) {
    train <- ts(c$y[1:c$n], frequency = c$f)
    actual <- c$y[(c$n + 1):(c$n + c$h)]
    fc <- list(
      ets = forecast(ets(train), h = c$h, level = 80),
      theta = thetaf(train, h = c$h, level = 80),
      arima = forecast(auto.arima(train), h = c$h, level = 80)
    )
    refs <- sapply(names(fc), function(m) sprintf('"%s":{"mean":%s,"lower":%s,"upper":%s}', m, json_num(fc[[m]]$mean),
      json_num(fc[[m]]$lower[, 1]), json_num(fc[[m]]$upper[, 1])))
    out <- c(out, sprintf('{"name":"%s","set":"%s","freq":%d,"h":%d,"timestamps":%s,"train":%s,"actual":%s,"references":{%s}}',
      c$name, c$set, c$f, c$h, json_str(c$t[1:c$n]), json_num(train), json_num(actual), paste(refs, collapse = ",")))
    message("done ", c$name)
  }
  writeLines(paste0('{"forecast_version":"', packageVersion("forecast"), '","cases":[\n', paste(out, collapse = ",\n"), "\n]}"), out_file)
}

