// SPDX-License-Identifier: Apache-2.0
module weft/bench/events-go

go 1.19
