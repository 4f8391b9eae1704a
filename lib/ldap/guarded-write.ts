import 'server-only';
import {
  AlreadyExistsError,
  Attribute,
  BerWriter,
  Change,
  Control,
  EqualityFilter,
  NoSuchAttributeError,
  NoSuchObjectError,
  ResultCodeError,
  TypeOrValueExistsError,
  type Filter,
} from 'ldapts';
import { AppError } from '@/lib/errors';
import { withDirectory } from './client';

/**
 * LDAP assertion control (RFC 4528): the server performs the update only if the
 * entry still matches the filter, all in one operation. Asserting the entryCSN
 * read before makes a modify fail when anyone changed the entry since, including
 * attributes without an equality rule (cron fields, booleans), whose old values a
 * modify cannot name. OpenLDAP supports it on every update operation.
 */
export class AssertionControl extends Control {
  static readonly type = '1.3.6.1.1.12';
  private readonly filter: Filter;

  constructor(filter: Filter) {
    super(AssertionControl.type, { critical: true });
    this.filter = filter;
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    this.filter.write(value);
    writer.writeBuffer(value.buffer, 0x04);
  }
}

const ASSERTION_FAILED = 122;

/** Attribute values by attribute name as the console spells it; [] = absent. */
export type AttributeValues = Record<string, string[]>;

/** One attribute's values before and after a write (the audit trail records these). */
export type AttributeChange = { attribute: string; before: string[]; after: string[] };

const sameValues = (a: string[], b: string[]): boolean =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/**
 * The modifications turning `before` into `after`: per attribute, delete the exact
 * old values and add the new ones, so the directory itself refuses the change if
 * someone else changed that attribute meanwhile. Attributes without an equality
 * rule cannot have single values deleted; they are replaced (or deleted whole),
 * and the assertion control guards them instead.
 */
export function attributeChanges(
  before: AttributeValues,
  after: AttributeValues,
  withoutEquality: ReadonlySet<string>,
): { changes: Change[]; diff: AttributeChange[] } {
  const changes: Change[] = [];
  const diff: AttributeChange[] = [];
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  for (const attribute of names) {
    const old = before[attribute] ?? [];
    const next = after[attribute] ?? [];
    if (sameValues(old, next)) continue;
    diff.push({ attribute, before: old, after: next });
    const change = (operation: 'add' | 'delete' | 'replace', values: string[]) =>
      changes.push(new Change({ operation, modification: new Attribute({ type: attribute, values }) }));
    if (withoutEquality.has(attribute.toLowerCase())) {
      if (next.length === 0) change('delete', []);
      else change('replace', next);
      continue;
    }
    const removed = old.filter((v) => !next.includes(v));
    const added = next.filter((v) => !old.includes(v));
    if (removed.length > 0) change('delete', removed);
    if (added.length > 0) change('add', added);
  }
  return { changes, diff };
}

const CONFLICT =
  'Someone else changed this entry at the same moment, so nothing was saved. Reload the page to see the current values and try again.';

function isConflict(error: unknown): boolean {
  return (
    error instanceof NoSuchAttributeError ||
    error instanceof TypeOrValueExistsError ||
    error instanceof AlreadyExistsError ||
    (error instanceof ResultCodeError && error.code === ASSERTION_FAILED)
  );
}

/** One modify, refused by the directory when the entry is no longer the one read (`csn`). */
export async function modifyIfUnchanged(what: string, dn: string, csn: string | null, changes: Change[]): Promise<void> {
  if (changes.length === 0) return;
  await withDirectory(what, async (client) => {
    try {
      const guard = csn ? new AssertionControl(new EqualityFilter({ attribute: 'entryCSN', value: csn })) : undefined;
      await client.modify(dn, changes, guard);
    } catch (error) {
      if (isConflict(error)) throw new AppError('conflict', CONFLICT, error instanceof Error ? `${dn}: ${error.message}` : dn);
      if (error instanceof NoSuchObjectError) throw new AppError('conflict', CONFLICT, `${dn} disappeared`);
      throw error;
    }
  });
}

/** Adds an entry that was read as absent; refused when someone created it meanwhile. */
export async function addIfAbsent(what: string, dn: string, attributes: AttributeValues, missingParent: string): Promise<void> {
  const present = Object.entries(attributes)
    .filter(([, values]) => values.length > 0)
    .map(([type, values]) => new Attribute({ type, values }));
  await withDirectory(what, async (client) => {
    try {
      await client.add(dn, present);
    } catch (error) {
      if (error instanceof AlreadyExistsError) throw new AppError('conflict', CONFLICT, `${dn} exists already`);
      if (error instanceof NoSuchObjectError) throw new AppError('not-found', missingParent, `${dn}: ${error.message}`);
      throw error;
    }
  });
}
