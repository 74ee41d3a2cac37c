import { describe, expect, it } from 'vitest';
import { maskedWords, maskWord } from './tokens.ts';

describe('maskWord', () => {
  it('masks the runs of a word that carry a digit and keeps its fixed parts', () => {
    expect(maskWord('10.0.0.7:8080')).toBe('<*>:<*>');
    expect(maskWord('blk_-6952295868487656571')).toBe('<*>');
    expect(maskWord('(uid=0)')).toBe('(uid=<*>)');
    expect(maskWord('LOGIN(uid=0)')).toBe('LOGIN(uid=<*>)');
    expect(maskWord('took')).toBe('took');
  });

  it('reads the value after = as a variable even without digits', () => {
    expect(maskWord('user=root')).toBe('user=<*>');
    expect(maskWord('ruser=')).toBe('ruser=');
  });

  it('reads paths, URLs, calendar names and empty brackets as variables', () => {
    expect(maskWord('/var/log/app.log')).toBe('<*>');
    expect(maskWord('https://example.com/a')).toBe('<*>');
    expect(maskWord('Jul')).toBe('<*>');
    expect(maskWord('()')).toBe('(<*>)');
    expect(maskWord('I/O')).toBe('I/O');
  });
});

describe('maskedWords', () => {
  it('splits on white space and folds a run of variables into one', () => {
    expect(maskedWords('  delete blk_1 blk_2\tblk_3 now ')).toEqual(['delete', '<*>', 'now']);
  });
});
