/**
 * The `--data DIR` option of benchmarks whose corpus the repository cannot carry (its
 * licence does not fit, or it is too large): the corpus stays where the user put it, and
 * a benchmark run without it says where to get it and exits 2 instead of guessing a path.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What a benchmark tells a user who has not got the corpus yet. */
export interface CorpusSource {
  /** Human name, e.g. `Loghub-2k`. */
  name: string;
  /** Where the public copy lives and how it is cited. */
  source: string;
  /** Its licence, in a few words. */
  licence: string;
  /** Paths relative to DIR that must exist, to catch a DIR one level too high or too low. */
  expects?: string[];
}

/** Loghub-2k (corrected): 2,000 labelled log lines per system. */
export const LOGHUB_2K: CorpusSource = {
  name: 'Loghub-2k (corrected)',
  source:
    'the loghub_2k_corrected datasets of the logpai/logparser repository on GitHub, sampled ' +
    'from Loghub (Zhu et al., ISSRE 2023), one folder per system (HDFS/, BGL/, …)',
  licence: 'free for research or academic work; cite the Loghub paper',
};

/** PetShop: root-cause analysis scenarios of a microservice application. */
export const PETSHOP: CorpusSource = {
  name: 'PetShop root-cause dataset',
  source:
    'the amazon-science/petshop-root-cause-analysis repository on GitHub (Hardt et al., ' +
    '2023), one folder per scenario (low_traffic/, high_traffic/, …)',
  licence: 'CC-BY-4.0',
};

/** Where the message goes and how the process ends; a test passes its own. */
export interface DataOptionIo {
  stderr: { write(text: string): unknown };
  exit(code: number): never;
}

const processIo: DataOptionIo = {
  stderr: process.stderr,
  exit: (code) => process.exit(code),
};

/**
 * The corpus directory given as `--data DIR`, resolved to an absolute path. Without it, or
 * when DIR (or one of `corpus.expects` inside it) does not exist, writes why and where the
 * corpus comes from to stderr and exits 2.
 */
export function requireDataDir(
  value: string | undefined,
  corpus: CorpusSource,
  io: DataOptionIo = processIo,
): string {
  const fail = (why: string): never => {
    io.stderr.write(
      `${why}\n` +
        `This benchmark reads the ${corpus.name} corpus, which is not part of the repository.\n` +
        `Get it from ${corpus.source} (licence: ${corpus.licence}),\n` +
        `then run it again with --data DIR.\n`,
    );
    return io.exit(2);
  };
  if (value === undefined || value.trim() === '') return fail('--data DIR is required.');
  const dir = resolve(value);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return fail(`--data ${value}: ${dir} is not a directory.`);
  }
  for (const expected of corpus.expects ?? []) {
    if (!existsSync(join(dir, expected))) {
      return fail(`--data ${value}: ${join(dir, expected)} does not exist.`);
    }
  }
  return dir;
}
