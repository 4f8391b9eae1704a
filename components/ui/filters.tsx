import type { ReactNode } from 'react';
import { Button, Select } from './field';
import { TextLink } from './link';

/**
 * A plain GET form of filters above a list: the filters live in the URL, so a filtered list can
 * be bookmarked and shared, and it works before any script has loaded.
 */
export function FilterForm({
  action,
  submitLabel,
  links,
  children,
}: {
  action: string;
  submitLabel: string;
  links: { href: string; label: string }[];
  children: ReactNode;
}) {
  return (
    <form method="get" action={action} role="search" className="mb-4 flex flex-wrap items-end gap-3">
      {children}
      <Button type="submit" className="px-4">
        {submitLabel}
      </Button>
      {links.map((l) => (
        <TextLink key={l.href} href={l.href} className="px-2 py-1.5">
          {l.label}
        </TextLink>
      ))}
    </form>
  );
}

/** One filter: a small label above its control. */
export function FilterField({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-muted">
        {label}
      </label>
      {children}
    </div>
  );
}

/** Options for a FilterSelect from things with a UUID and a name (pools, machines). */
export const byUuid = (items: { uuid: string; name: string }[]) => items.map((i) => ({ value: i.uuid, label: i.name }));

/** A filter choosing one of `options`, or none (`anyLabel`, the empty value); its id is `filter-<name>`. */
export function FilterSelect({
  name,
  label,
  value,
  anyLabel,
  options,
}: {
  name: string;
  label: string;
  value: string | undefined;
  anyLabel: string;
  options: { value: string; label: string }[];
}) {
  const id = `filter-${name}`;
  return (
    <FilterField id={id} label={label}>
      <Select id={id} name={name} defaultValue={value ?? ''} width="auto">
        <option value="">{anyLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </Select>
    </FilterField>
  );
}
