module weft/bench/events-go

go 1.19
