/* SPDX-License-Identifier: MIT */
/* Error numbers for 0/-errno returns: Linux's values, so they read the same in logs. */
#ifndef KEEL_ERRNO_H
#define KEEL_ERRNO_H

#define EPERM  1
#define ENOENT 2
#define EIO    5
#define E2BIG  7
#define ENOMEM 12
#define EFAULT 14
#define EBUSY  16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38

#endif
