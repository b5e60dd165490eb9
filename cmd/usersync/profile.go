package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the whole process to the file named by
// USERSYNC_CPUPROFILE, for the benchmark harness and for anyone chasing a slow
// run (`go tool pprof -top usersync FILE`). The returned function stops it.
func startProfile(stderr io.Writer) func() {
	stopCPU := startCPUProfile(stderr)
	return func() {
		stopCPU()
		writeAllocProfile(stderr)
	}
}

// writeAllocProfile writes the allocations of the whole run to the file
// named by USERSYNC_MEMPROFILE: what a run allocates, not only what is live
// at its end, is what drives the collector and so the peak resident memory
// (`go tool pprof -sample_index=alloc_space -top usersync FILE`).
func writeAllocProfile(stderr io.Writer) {
	path := os.Getenv("USERSYNC_MEMPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(stderr, "usersync: memory profile:", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fmt.Fprintln(stderr, "usersync: memory profile:", err)
	}
}

func startCPUProfile(stderr io.Writer) func() {
	path := os.Getenv("USERSYNC_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(stderr, "usersync: cpu profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(stderr, "usersync: cpu profile:", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
