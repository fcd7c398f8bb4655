// SPDX-License-Identifier: Apache-2.0

// Go twins of the weft::go runtime benchmarks (tools/bench/runtime).
// Run with GOMAXPROCS equal to weft's worker count. Prints one line per
// result: "<bench> <metric> <value> <unit>".
package main

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"time"
)

func skynet(c chan<- int64, num int64, size int64) {
	if size == 1 {
		c <- num
		return
	}
	rc := make(chan int64, 10)
	for i := int64(0); i < 10; i++ {
		go skynet(rc, num+i*(size/10), size/10)
	}
	var sum int64
	for i := 0; i < 10; i++ {
		sum += <-rc
	}
	c <- sum
}

func benchSkynet(leaves int64) float64 {
	start := time.Now()
	c := make(chan int64, 1)
	go skynet(c, 0, leaves)
	sum := <-c
	el := time.Since(start)
	if sum != leaves*(leaves-1)/2 {
		fmt.Fprintln(os.Stderr, "skynet: wrong sum", sum)
		os.Exit(1)
	}
	return float64(el.Nanoseconds()) / 1e6
}

func benchPingPong(n int) float64 {
	ping := make(chan int)
	pong := make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
		close(pong)
	}()
	start := time.Now()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	el := time.Since(start)
	close(ping)
	return float64(el.Nanoseconds()) / float64(n)
}

func benchFan(items int64, consumers int) float64 {
	work := make(chan int64, 1024)
	results := make(chan int64, 1024)
	start := time.Now()
	go func() {
		for i := int64(0); i < items; i++ {
			work <- i
		}
		close(work)
	}()
	var wg sync.WaitGroup
	for c := 0; c < consumers; c++ {
		wg.Add(1)
		go func() {
			for v := range work {
				results <- v * 2
			}
			wg.Done()
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	var sum int64
	for v := range results {
		sum += v
	}
	el := time.Since(start)
	if sum != items*(items-1) {
		fmt.Fprintln(os.Stderr, "fan: wrong sum", sum)
		os.Exit(1)
	}
	return float64(items) / el.Seconds() / 1e6
}

func benchSpawn(n int) float64 {
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() { wg.Done() }()
	}
	wg.Wait()
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

// benchForkJoin is the block loops' fork-join written the Go way: one
// goroutine per share but the caller's own, a WaitGroup; ns per round.
func benchForkJoin(workers int, rounds int) float64 {
	out := make([]float64, 8*workers)
	share := func(w int, r int) {
		x := float64(r + w)
		for k := 0; k < 64; k++ {
			x = x*0.999 + 1.0
		}
		out[8*w] += x
	}
	start := time.Now()
	for r := 0; r < rounds; r++ {
		var wg sync.WaitGroup
		wg.Add(workers - 1)
		for w := 1; w < workers; w++ {
			go func(w int) { share(w, r); wg.Done() }(w)
		}
		share(0, r)
		wg.Wait()
	}
	return float64(time.Since(start).Nanoseconds()) / float64(rounds)
}

func best(reps int, f func() float64, higherBetter bool) float64 {
	b := f()
	for r := 1; r < reps; r++ {
		v := f()
		if (higherBetter && v > b) || (!higherBetter && v < b) {
			b = v
		}
	}
	return b
}

func main() {
	only := flag.String("only", "", "run one benchmark: skynet|pingpong|fan|spawn|forkjoin")
	reps := flag.Int("reps", 3, "repetitions (best is reported)")
	workers := flag.Int("workers", 2, "worker count (consumers = 4 x workers)")
	flag.Parse()
	run := func(name string) bool { return *only == "" || *only == name }
	if run("skynet") {
		fmt.Printf("skynet time %.3f ms\n", best(*reps, func() float64 { return benchSkynet(1000000) }, false))
	}
	if run("pingpong") {
		fmt.Printf("pingpong round_trip %.1f ns\n", best(*reps, func() float64 { return benchPingPong(200000) }, false))
	}
	if run("fan") {
		fmt.Printf("fan throughput %.3f Mitems/s\n", best(*reps, func() float64 { return benchFan(4000000, 4**workers) }, true))
	}
	if run("spawn") {
		fmt.Printf("spawn per_task %.1f ns\n", best(*reps, func() float64 { return benchSpawn(200000) }, false))
	}
	if run("forkjoin") {
		fmt.Printf("forkjoin per_round %.1f ns\n", best(*reps, func() float64 { return benchForkJoin(*workers, 100000) }, false))
	}
}
