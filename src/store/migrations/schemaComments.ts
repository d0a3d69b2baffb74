/**
 * What every table, view and column means, with units. Migrations turn these
 * into DuckDB `COMMENT ON` statements, so the database documents itself
 * (`SELECT * FROM duckdb_columns()` shows them) and notebooks/schema.md is generated
 * from the live schema rather than written by hand.
 */
export const TABLE_COMMENTS: Record<string, { comment: string; columns: Record<string, string> }> = {
  resources: {
    comment: 'One row per kind of capacity (disk, cpu, …): its unit and which way is bad.',
    columns: {
      resource: 'Resource name as in the plan (or demo), e.g. disk.',
      kind: "capacity (usage against a limit) or slo (error budget).",
      unit: 'Unit of its values: bytes, cores, ratio, requests_per_second, connections, …',
      direction: 'rising: usage grows toward capacity; falling: free space shrinks toward zero.',
      description: 'Free text.',
    },
  },
  series: {
    comment: 'One row per metric series. series_id is stable: a hash of resource, metric and sorted labels.',
    columns: {
      series_id: 'Stable id (16 hex chars) of resource + metric + labels; the same series always gets the same id.',
      resource: 'The resource this series measures (resources.resource).',
      metric: 'Metric name, e.g. node_filesystem_used_bytes.',
      labels: "Labels as MAP(VARCHAR, VARCHAR); filter with labels['cluster'] = 'eu-1'.",
      name: 'Readable name used in reports.',
      unit: 'Unit of the values (see resources.unit).',
      capacity: 'Constant capacity in the same unit, or NULL when unknown.',
      description: 'Free text (the demo fleet says what scenario the series is).',
      first_seen: 'When capplan first stored this series.',
      first_ts: 'Timestamp of the oldest stored sample (maintained on ingest).',
      last_ts: 'Timestamp of the newest stored sample (maintained on ingest; incremental pulls start here).',
    },
  },
  pulls: {
    comment: 'One row per pull run (also the demo ingest). Never deleted; status says how it ended.',
    columns: {
      pull_id: 'Pull run id, increasing.',
      started_at: 'When the pull started.',
      finished_at: 'When it finished; NULL while running or if it was killed.',
      source: 'Where the data came from: a server URL, or demo.',
      resource: 'Resource pulled, when the pull was for one.',
      query: 'PromQL (or description) that was asked.',
      range_start: 'Start of the requested time range.',
      range_end: 'End of the requested time range.',
      step_s: 'Query step in seconds.',
      resolution: 'Source resolution read: raw, 5m or 1h (Thanos max_source_resolution).',
      status: 'running, ok, partial (some stores or chunks missing: see warnings) or failed.',
      warnings: 'Warnings from the source, e.g. partial responses. Reports surface them.',
      series_count: 'Series delivered.',
      sample_count: 'Samples newly stored by this pull.',
      error: 'Error message when status is failed.',
    },
  },
  samples: {
    comment: 'Every stored sample. (series_id, ts) is unique; re-pulling a range never duplicates or overwrites.',
    columns: {
      series_id: 'Series (series.series_id).',
      ts: 'Sample time (an instant; shown in your session time zone).',
      value: 'Sample value in the series unit. NaN/Inf are never stored.',
      resolution_s: 'Seconds per sample at the source: the raw scrape interval or the downsampling resolution.',
      pull_id: 'The pull that stored it (pulls.pull_id).',
    },
  },
  forecast_runs: {
    comment: 'One row per forecast run. Runs are never overwritten: compare them to see how forecasts moved.',
    columns: {
      run_id: 'Forecast run id, increasing.',
      started_at: 'When the run started.',
      finished_at: 'When it finished; NULL while running or if it was killed.',
      as_of: 'The data cutoff: forecasts start after this instant.',
      horizon_s: 'Forecast horizon in seconds.',
      levels: 'Interval levels computed, as fractions (0.8 = 80%).',
      scenario: 'What-if scenario name; NULL for the baseline.',
      status: 'running, ok or failed.',
      capplan_version: 'capplan version that made the run.',
      series_count: 'Series forecast.',
      failed_count: 'Series that could not be forecast at all (see forecasts.error).',
      options: 'Run options as JSON (models, aggregation, thresholds).',
    },
  },
  forecasts: {
    comment: 'One row per series per forecast run: the model chosen, how well it backtested, and the data it stood on.',
    columns: {
      run_id: 'Forecast run (forecast_runs.run_id).',
      series_id: 'Series (series.series_id).',
      model: 'Alias of the model chosen by backtest (e.g. fourier, piecewise).',
      fallback_reason: 'Why a fallback model was used, if one was.',
      aggregation: 'Signal forecast: raw, or a peak envelope such as max per day.',
      step_s: 'Seconds between forecast points.',
      periods: 'Seasonal periods used, in steps.',
      params: 'Fitted model parameters as JSON.',
      candidates: 'Every candidate model with its backtest MASE or error, as JSON.',
      backtest_windows: 'Rolling-origin backtest windows.',
      backtest_horizon: 'Backtest horizon in steps.',
      mase: 'Backtest mean absolute scaled error of the chosen model (below 1 beats the naive forecast).',
      coverage: 'Achieved interval coverage on the backtests, as JSON [{level, achieved}].',
      data_start: 'First sample used.',
      data_end: 'Last sample used.',
      data_points: 'Regular points the model saw (after gap filling).',
      data_missing: 'Points that were missing and interpolated.',
      data_gaps: 'Number of gaps in the data.',
      data_resolution_s: 'Inferred sampling interval of the stored data, in seconds.',
      last_value: "Last value of the forecast signal: with peak aggregation, the last full day's peak (what capacity must hold now).",
      error: 'Why the series could not be forecast, if it could not.',
    },
  },
  forecast_points: {
    comment: 'Forecast values: one row per run, series, future timestamp and interval level.',
    columns: {
      run_id: 'Forecast run.',
      series_id: 'Series.',
      ts: 'Future timestamp.',
      level: 'Interval level of lower/upper (0.8 = 80% central interval).',
      value: 'Point forecast (median).',
      lower: 'Lower bound of the central interval at this level.',
      upper: 'Upper bound of the central interval at this level.',
    },
  },
  exhaustion: {
    comment: 'When each series reaches each threshold of its capacity, per run, as a distribution (p10 earliest plausible).',
    columns: {
      run_id: 'Forecast run.',
      series_id: 'Series.',
      threshold: 'Fraction of capacity: 0.8 warn, 0.9 critical, 1 full.',
      capacity: 'Capacity used, in the series unit.',
      status: "past (already at or beyond), within (crosses within the horizon), beyond_horizon (never within it).",
      p10: 'Earliest plausible date (10th percentile); NULL when not within the horizon.',
      p50: 'Median date; NULL when not within the horizon.',
      p90: 'Late date (90th percentile); NULL when not within the horizon.',
      horizon_end: 'End of the forecast horizon.',
    },
  },
  schema_migrations: {
    comment: 'Schema versions applied to this file, one row each.',
    columns: {
      version: 'Schema version number.',
      description: 'What the migration did.',
      applied_at: 'When it was applied.',
      capplan_version: 'capplan version that applied it.',
    },
  },
};

export const VIEW_COMMENTS: Record<string, string> = {
  latest_forecasts: "Each series' forecast from the newest successful baseline run, with the run's as_of.",
  latest_forecast_points: 'The forecast points of latest_forecasts.',
  latest_exhaustion: 'When each series reaches each threshold in its latest forecast, with name, labels, model and MASE.',
  headroom: 'Usage now (latest sample), capacity, and headroom absolute and as a ratio of capacity.',
};

/** `COMMENT ON` statements for everything above (string literals quoted for SQL). */
export function commentStatements(): string[] {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const out: string[] = [];
  for (const [table, t] of Object.entries(TABLE_COMMENTS)) {
    out.push(`COMMENT ON TABLE ${table} IS ${q(t.comment)}`);
    for (const [col, c] of Object.entries(t.columns)) out.push(`COMMENT ON COLUMN ${table}.${col} IS ${q(c)}`);
  }
  for (const [view, c] of Object.entries(VIEW_COMMENTS)) out.push(`COMMENT ON VIEW ${view} IS ${q(c)}`);
  return out;
}

/**
 * Views added by migration 002, column by column. Kept apart from VIEW_COMMENTS
 * because migration 001 comments exactly the views it creates.
 */
export const ANALYST_VIEW_COMMENTS: Record<string, { comment: string; columns: Record<string, string> }> = {
  exhaustion_history: {
    comment:
      'How exhaustion dates moved: one row per series, threshold and successful baseline run, with the change in the p50 date since the previous run of that series.',
    columns: {
      series_id: 'Series.',
      resource: 'Resource of the series.',
      name: 'Readable series name.',
      labels: 'Series labels.',
      threshold: 'Fraction of capacity (0.8, 0.9, 1).',
      run_id: 'Forecast run.',
      as_of: "The run's data cutoff.",
      model: 'Model the run chose for this series.',
      status: 'past, within or beyond_horizon.',
      p10: 'Earliest plausible date in this run.',
      p50: 'Median date in this run.',
      p90: 'Late date in this run.',
      p50_days: 'Days from as_of to p50 (NULL unless within the horizon).',
      previous_run_id: 'The previous baseline run that dated this series and threshold; NULL for the first.',
      previous_p50: 'p50 in the previous run.',
      p50_change_days: 'p50 minus previous p50, in days: positive means the date moved later (more time), negative earlier. NULL if either is not a date.',
    },
  },
  backtest_accuracy: {
    comment: 'Backtest accuracy per model over the latest forecast of every series (only models chosen for at least one series).',
    columns: {
      model: 'Model alias.',
      series_count: 'Series whose latest forecast uses this model.',
      median_mase: 'Median backtest MASE (below 1 beats the naive forecast).',
      mean_mase: 'Mean backtest MASE.',
      max_mase: 'Worst backtest MASE.',
      share_beating_naive: 'Fraction of those series with MASE below 1.',
      mean_coverage_80: 'Mean achieved coverage of the 80% interval on the backtests (0.8 is calibrated).',
      mean_coverage_95: 'Mean achieved coverage of the 95% interval, when the runs computed it.',
    },
  },
  data_quality: {
    comment:
      'Per series: stored extent and completeness, resolutions, gaps the latest forecast filled, and whether any pull that touched it (stored its samples, or pulled its resource) was partial or failed, with the warnings.',
    columns: {
      series_id: 'Series.',
      resource: 'Resource of the series.',
      name: 'Readable series name.',
      labels: 'Series labels.',
      first_sample: 'Oldest stored sample.',
      last_sample: 'Newest stored sample.',
      samples: 'Stored samples.',
      completeness: 'samples / samples expected at the finest stored resolution between first and last (1 = no holes).',
      resolutions_s: 'Distinct samples.resolution_s stored, in seconds.',
      source_resolutions: 'Distinct pulls.resolution read (raw, 5m, 1h) by the pulls that touched it.',
      forecast_run_id: 'Run of the latest forecast (latest_forecasts).',
      data_points: 'Regular points the latest forecast saw.',
      data_missing: 'Points the latest forecast interpolated.',
      data_gaps: 'Gaps in the data of the latest forecast.',
      data_resolution_s: 'Sampling interval the latest forecast inferred, in seconds.',
      aggregation: 'Signal the latest forecast modelled (raw or a peak envelope).',
      pulls: 'Pulls that touched the series.',
      partial_pulls: 'Of those, pulls that ended partial.',
      failed_pulls: 'Of those, pulls that failed.',
      incomplete_pulls: 'True when any pull that touched it was partial or failed.',
      warnings: 'Distinct warnings of those pulls.',
      pull_errors: 'Distinct errors of failed pulls.',
    },
  },
  headroom_by_group: {
    comment:
      "The headroom view rolled up per resource (group_by = 'resource') and per cluster label (group_by = 'cluster'; group_value NULL for series without one). Same as SELECT * FROM headroom_by('cluster'); use the table macro headroom_by('label') for any other label.",
    columns: {
      resource: 'Resource.',
      group_by: "'resource' for the resource total, else the label name.",
      group_value: 'Label value of the group; NULL on resource totals.',
      unit: 'Unit of usage, capacity and headroom.',
      series_count: 'Series in the group.',
      usage: 'Sum of current usage (latest sample per series).',
      capacity: 'Sum of capacity.',
      headroom: 'Sum of headroom.',
      headroom_ratio: 'headroom / capacity of the group.',
      min_headroom_ratio: 'Smallest headroom ratio of a series in the group.',
      tightest_series: 'Name of the series with that smallest ratio.',
    },
  },
  headroom_by_quarter: {
    comment:
      'Headroom left at the forecast peak of each UTC calendar quarter of the latest forecasts (for falling resources, at the forecast minimum).',
    columns: {
      series_id: 'Series.',
      resource: 'Resource of the series.',
      name: 'Readable series name.',
      labels: 'Series labels.',
      unit: 'Unit of the values.',
      quarter: 'First day of the quarter (UTC).',
      quarter_end: 'Last day of the quarter.',
      through: 'Last forecast point in the quarter: before quarter_end when the horizon ends inside it.',
      capacity: 'Capacity of the series.',
      forecast_peak: 'Highest point forecast in the quarter (lowest, for falling resources).',
      headroom: 'capacity − forecast_peak (forecast_peak itself, for falling resources).',
      headroom_upper_80: 'Headroom at the top of the 80% interval: the plausible worst case.',
      headroom_ratio: 'headroom / capacity.',
    },
  },
  daily_peaks: {
    comment: 'Samples rolled up per series and UTC day: peak, 95th percentile, mean and minimum.',
    columns: {
      series_id: 'Series.',
      resource: 'Resource of the series.',
      day: 'UTC calendar day.',
      samples: 'Samples in the day.',
      max_value: 'Highest sample of the day.',
      p95_value: '95th percentile of the day (linear interpolation).',
      mean_value: 'Mean of the day.',
      min_value: 'Lowest sample of the day.',
    },
  },
  weekly_peaks: {
    comment: 'Samples rolled up per series and ISO week (Monday, UTC): peak, 95th percentile, mean and minimum.',
    columns: {
      series_id: 'Series.',
      resource: 'Resource of the series.',
      week: 'Monday of the ISO week (UTC).',
      samples: 'Samples in the week.',
      max_value: 'Highest sample of the week.',
      p95_value: '95th percentile of the week (linear interpolation).',
      mean_value: 'Mean of the week.',
      min_value: 'Lowest sample of the week.',
    },
  },
};

/** Table macros added by migration 002 (DuckDB keeps these in duckdb_functions().comment). */
export const ANALYST_MACRO_COMMENTS: Record<string, string> = {
  headroom_by:
    "headroom_by('label'): the headroom view rolled up per resource and per value of that label, like headroom_by_group does for cluster.",
};

/** `COMMENT ON` statements for the views and macros of migration 002. */
export function analystCommentStatements(): string[] {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const out: string[] = [];
  for (const [view, v] of Object.entries(ANALYST_VIEW_COMMENTS)) {
    out.push(`COMMENT ON VIEW ${view} IS ${q(v.comment)}`);
    for (const [col, c] of Object.entries(v.columns)) out.push(`COMMENT ON COLUMN ${view}.${col} IS ${q(c)}`);
  }
  for (const [macro, c] of Object.entries(ANALYST_MACRO_COMMENTS)) out.push(`COMMENT ON MACRO TABLE ${macro} IS ${q(c)}`);
  return out;
}
