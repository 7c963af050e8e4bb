// Host-side definitions that the kernel provides for itself (none needed yet beyond linkage).
