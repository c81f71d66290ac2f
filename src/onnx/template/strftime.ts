// Python's `datetime.now().strftime(fmt)` in the C locale, as transformers' `strftime_now` global
// calls it (Llama 3.1 prints "Today Date: 26 Jul 2024"). @huggingface/jinja's version knows only
// a few directives and uses the host's locale for month names.
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  return Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start.getTime()) / 86_400_000) + 1;
}

/** Week number of the year, weeks starting on `firstDay` (0 Sunday for %U, 1 Monday for %W). */
function weekOfYear(d: Date, firstDay: number): number {
  const yday = dayOfYear(d) - 1;
  const wday = (d.getDay() + 7 - firstDay) % 7;
  return Math.floor((yday + 7 - wday) / 7);
}

/** Formats `date` (local time) like Python's `strftime`; glibc's `%-d` style no-pad flag included. */
export function pyStrftime(date: Date, format: string): string {
  return format.replace(/%(-?)([a-zA-Z%])/g, (match, noPad: string, code: string) => {
    const p = (n: number, width = 2) => (noPad ? String(n) : pad(n, width));
    const hour12 = date.getHours() % 12 || 12;
    switch (code) {
      case 'a': return DAYS[date.getDay()]!.slice(0, 3);
      case 'A': return DAYS[date.getDay()]!;
      case 'b': case 'h': return MONTHS[date.getMonth()]!.slice(0, 3);
      case 'B': return MONTHS[date.getMonth()]!;
      case 'd': return p(date.getDate());
      case 'e': return String(date.getDate()).padStart(2, ' ');
      case 'm': return p(date.getMonth() + 1);
      case 'y': return p(date.getFullYear() % 100);
      case 'Y': return String(date.getFullYear());
      case 'H': return p(date.getHours());
      case 'I': return p(hour12);
      case 'p': return date.getHours() < 12 ? 'AM' : 'PM';
      case 'M': return p(date.getMinutes());
      case 'S': return p(date.getSeconds());
      case 'f': return pad(date.getMilliseconds() * 1000, 6);
      case 'j': return p(dayOfYear(date), 3);
      case 'w': return String(date.getDay());
      case 'u': return String(date.getDay() || 7);
      case 'U': return p(weekOfYear(date, 0));
      case 'W': return p(weekOfYear(date, 1));
      case 'z': case 'Z': return '';
      case 'c': return pyStrftime(date, '%a %b %e %H:%M:%S %Y');
      case 'x': return pyStrftime(date, '%m/%d/%y');
      case 'X': return pyStrftime(date, '%H:%M:%S');
      case 'D': return pyStrftime(date, '%m/%d/%y');
      case 'F': return pyStrftime(date, '%Y-%m-%d');
      case 'T': return pyStrftime(date, '%H:%M:%S');
      case 'R': return pyStrftime(date, '%H:%M');
      case 'n': return '\n';
      case 't': return '\t';
      case '%': return noPad ? match : '%';
      default: return match;
    }
  });
}
