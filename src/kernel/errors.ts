// Kernel errors as userspace sees them: an errno, and optionally the netlink extended-ack
// message that iproute2 prints as `Error: …`.

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const ENXIO = 6;
export const EACCES = 13;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const ERANGE = 34;
export const ELOOP = 40;
export const EXFULL = 54;
export const EOPNOTSUPP = 95;
export const EAFNOSUPPORT = 97;
export const EADDRINUSE = 98;
export const EADDRNOTAVAIL = 99;
export const ENETDOWN = 100;
export const ENETUNREACH = 101;
export const ENOBUFS = 105;
export const EHOSTUNREACH = 113;
export const EMSGSIZE = 90;
export const ENOTCONN = 107;

const STRERROR: Record<number, string> = {
  [EPERM]: 'Operation not permitted',
  [ENOENT]: 'No such file or directory',
  [ESRCH]: 'No such process',
  [ENXIO]: 'No such device or address',
  [EACCES]: 'Permission denied',
  [EBUSY]: 'Device or resource busy',
  [EEXIST]: 'File exists',
  [ENODEV]: 'No such device',
  [EINVAL]: 'Invalid argument',
  [ERANGE]: 'Numerical result out of range',
  [ELOOP]: 'Too many levels of symbolic links',
  [EXFULL]: 'Exchange full',
  [EOPNOTSUPP]: 'Operation not supported',
  [EAFNOSUPPORT]: 'Address family not supported by protocol',
  [EADDRINUSE]: 'Address already in use',
  [EADDRNOTAVAIL]: 'Cannot assign requested address',
  [ENETDOWN]: 'Network is down',
  [ENETUNREACH]: 'Network is unreachable',
  [ENOBUFS]: 'No buffer space available',
  [EHOSTUNREACH]: 'No route to host',
  [EMSGSIZE]: 'Message too long',
  [ENOTCONN]: 'Transport endpoint is not connected',
};

/** The C library's text for an errno. */
export function strerror(errno: number): string {
  return STRERROR[errno] ?? `Unknown error ${errno}`;
}

export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    readonly errno: number,
    /** Netlink extended ack text, when the kernel gives one (printed as `Error: <text>.`). */
    readonly extack?: string,
  ) {
    super(extack ?? strerror(errno));
  }
}

export function kerr(errno: number, extack?: string): KernelError {
  return new KernelError(errno, extack);
}
