/**
 * `stop_writers PATH`: kills every process that has the existing file PATH open (other than the
 * calling shell) and waits until each is gone. A command whose SSH connection was cut, or whose
 * console was killed, goes on running on the node (sshd does not hang up commands without a
 * terminal), so before a file is written again or removed, whatever still writes it is stopped.
 * For the constant scripts of this folder; the path reaches it only as a positional parameter.
 */
export const STOP_WRITERS_FUNCTION = [
  'stop_writers() {',
  '  [ -e "$1" ] || return 0',
  '  w_target=$(readlink -f -- "$1") || return 1',
  '  w_found=',
  '  for w_fd in /proc/[0-9]*/fd/*; do',
  '    [ "$(readlink "$w_fd" 2>/dev/null)" = "$w_target" ] || continue',
  '    w_pid=$(printf \'%s\' "$w_fd" | cut -d/ -f3)',
  '    [ "$w_pid" = "$$" ] && continue',
  '    kill -KILL "$w_pid" 2>/dev/null && w_found="$w_found $w_pid"',
  '  done',
  '  for w_pid in $w_found; do',
  '    while kill -0 "$w_pid" 2>/dev/null; do sleep 0.1; done',
  '  done',
  '  return 0',
  '}',
].join('\n');
