package lambdafn

import "syscall"

// syscallZero probes whether a process is alive.
var syscallZero = syscall.Signal(0)
