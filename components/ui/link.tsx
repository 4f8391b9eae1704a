import NextLink from 'next/link';
import type { ComponentProps } from 'react';
import { cn } from './cn';

export function TextLink({ className, ...props }: ComponentProps<typeof NextLink>) {
  return <NextLink className={cn('text-brand underline-offset-2 hover:underline', className)} {...props} />;
}
