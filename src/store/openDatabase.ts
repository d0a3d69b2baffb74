import { closeSync, existsSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ExitCode, StoreError } from '../errors.js';
import { VERSION } from '../version.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/**
 * DuckDB settings for every database capplan opens. DuckDB would otherwise
 * download and load an extension when it meets a file or function it needs
 * one for (a SQLite file, an https:// path), creating ~/.duckdb/extensions:
 * capplan reaches no network but its configured sources.
 */
export const DUCKDB_CONFIG: Readonly<Record<string, string>> = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
};

export interface OpenOptions {
  /** Open without write access: no migrations, many readers may share the file. */
  readonly readOnly?: boolean;
  /** Clock for `applied_at` (ms UTC); tests freeze it. */
  readonly now?: () => number;
  /** The migrations to apply; tests pass extra ones to exercise upgrades. */
  readonly migrations?: readonly Migration[];
}

export interface OpenedDatabase {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  readonly path: string;
  readonly schemaVersion: number;
}

/**
 * Opens (creating if needed) a capplan database and brings its schema up to date.
 *
 * Checks happen before anything is written: a file that is not DuckDB, is not
 * capplan's, was written by a newer capplan, or is locked by another process is
 * refused with a one-line message and left byte-for-byte as it was.
 */
export async function openDatabase(path: string, options: OpenOptions = {}): Promise<OpenedDatabase> {
  const file = resolve(path);
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new StoreError(`database ${path}: directory ${dir} does not exist`);
  }
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations[migrations.length - 1].version;
  const exists = existsSync(file);
  if (exists && statSync(file).isDirectory()) throw new StoreError(`database ${path}: is a directory, not a file`);
  if (!exists && options.readOnly) throw new StoreError(`database ${path}: no such file (run 'capplan demo' or 'capplan pull' first)`);

  if (exists) {
    refuseForeignFormat(file, path);
    // Inspect read-only first so a refused file is never opened for writing.
    const probe = await connect(file, path, true);
    try {
      const version = await readSchemaVersion(probe.connection, path);
      if (version > latest) {
        throw new StoreError(
          `database ${path}: written by a newer capplan (schema version ${version}, this capplan ${VERSION} knows up to ${latest}); upgrade capplan`,
        );
      }
      if (options.readOnly) {
        if (version < latest) {
          throw new StoreError(
            `database ${path}: schema version ${version} is older than ${latest}; open it once with a writing command (e.g. 'capplan sql --write') to migrate`,
          );
        }
        return { ...probe, path: file, schemaVersion: version };
      }
    } catch (err) {
      probe.connection.closeSync();
      probe.instance.closeSync();
      throw err;
    }
    probe.connection.closeSync();
    probe.instance.closeSync();
  }

  if (!exists) await createAtomically(file, path, migrations, options.now ?? Date.now);
  const db = await connect(file, path, false);
  try {
    const version = await readSchemaVersion(db.connection, path);
    await migrate(db.connection, migrations, version, options.now ?? Date.now);
    return { ...db, path: file, schemaVersion: latest };
  } catch (err) {
    db.connection.closeSync();
    db.instance.closeSync();
    throw err;
  }
}

async function connect(file: string, shown: string, readOnly: boolean): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file, readOnly ? { ...DUCKDB_CONFIG, access_mode: 'READ_ONLY' } : { ...DUCKDB_CONFIG });
  } catch (err) {
    throw translateOpenError(err, shown);
  }
  const connection = await instance.connect();
  // Timestamps are instants; a UTC session makes epoch conversions unambiguous.
  await connection.run(`SET TimeZone = 'UTC'`);
  return { instance, connection };
}

/** Files DuckDB would hand to an extension (SQLite) are named for what they are, before DuckDB sees them. */
function refuseForeignFormat(file: string, shown: string): void {
  const head = Buffer.alloc(16);
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    readSync(fd, head, 0, 16, 0);
  } catch {
    return; // unreadable: DuckDB's own open reports it
  } finally {
    if (fd !== null) closeSync(fd);
  }
  if (head.toString('latin1') === 'SQLite format 3\0') {
    throw new StoreError(`database ${shown}: a SQLite file, not a DuckDB database (capplan stores its data in DuckDB; give a .duckdb file or a new path)`);
  }
}

function translateOpenError(err: unknown, shown: string): StoreError {
  const message = err instanceof Error ? err.message : String(err);
  const lock = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(message);
  if (lock) {
    return new StoreError(
      `database ${shown}: locked by another process (${lock[1]}, PID ${lock[2]}); wait for it to finish and try again`,
      ExitCode.locked,
      { cause: err },
    );
  }
  if (/not a valid DuckDB database file/i.test(message)) {
    return new StoreError(`database ${shown}: not a DuckDB database file`, ExitCode.store, { cause: err });
  }
  if (/Extension .* not found|INSTALL \w+/i.test(message)) {
    return new StoreError(`database ${shown}: not a DuckDB database file (DuckDB would need an extension to read it, and capplan installs none)`, ExitCode.store, { cause: err });
  }
  if (/version number|storage version|created with a newer|older version/i.test(message)) {
    return new StoreError(`database ${shown}: written by an incompatible DuckDB version (${firstLine(message)})`, ExitCode.store, { cause: err });
  }
  return new StoreError(`database ${shown}: cannot open (${firstLine(message)})`, ExitCode.store, { cause: err });
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** 0 for an empty database; throws for a DuckDB file that holds someone else's tables. */
async function readSchemaVersion(connection: DuckDBConnection, shown: string): Promise<number> {
  const tables = await connection.runAndReadAll(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()`,
  );
  const names = new Set(tables.getRowObjectsJS().map((r) => String(r.table_name)));
  if (names.size === 0) return 0;
  if (!names.has('schema_migrations')) {
    throw new StoreError(`database ${shown}: a DuckDB file, but not a capplan database (no schema_migrations table); refusing to modify it`);
  }
  const reader = await connection.runAndReadAll(`SELECT coalesce(max(version), 0)::INTEGER AS v FROM schema_migrations`);
  return Number(reader.getRowObjectsJS()[0].v);
}

/**
 * Builds a new database beside its final path, migrated and checkpointed,
 * and renames it into place: a process killed while creating leaves either
 * no file or a complete one, never a half-written WAL that DuckDB cannot
 * replay (it fails on COMMENT ON: duckdb/duckdb#19712).
 */
async function createAtomically(file: string, shown: string, migrations: readonly Migration[], now: () => number): Promise<void> {
  const temp = `${file}.creating-${process.pid}`;
  rmSync(temp, { force: true });
  rmSync(`${temp}.wal`, { force: true });
  const db = await connect(temp, shown, false);
  try {
    await migrate(db.connection, migrations, 0, now);
  } finally {
    db.connection.closeSync();
    db.instance.closeSync();
  }
  rmSync(`${temp}.wal`, { force: true });
  // Another process may have created it meanwhile: then theirs wins and ours is dropped.
  if (existsSync(file)) rmSync(temp, { force: true });
  else renameSync(temp, file);
}

async function migrate(connection: DuckDBConnection, migrations: readonly Migration[], from: number, now: () => number): Promise<void> {
  if (from === 0) {
    await connection.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, description VARCHAR NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL, capplan_version VARCHAR NOT NULL)`);
  }
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    await connection.run('BEGIN TRANSACTION');
    try {
      for (const sql of migration.statements) await connection.run(sql);
      await connection.run(`INSERT INTO schema_migrations VALUES ($1, $2, epoch_ms($3::BIGINT)::TIMESTAMPTZ, $4)`, [
        migration.version,
        migration.description,
        Math.round(now()),
        VERSION,
      ]);
      await connection.run('COMMIT');
    } catch (err) {
      await connection.run('ROLLBACK');
      const message = err instanceof Error ? err.message : String(err);
      throw new StoreError(`migration ${migration.version} (${migration.description}) failed: ${firstLine(message)}`);
    }
  }
  // DuckDB 1.5 cannot replay COMMENT ON from the write-ahead log ("GetDefaultDatabase with no default
  // database set"): a process killed before its first checkpoint would leave a file that no longer
  // opens. Writing the migrated schema into the file itself closes that window.
  if (migrations.some((m) => m.version > from)) await connection.run('CHECKPOINT');
}
