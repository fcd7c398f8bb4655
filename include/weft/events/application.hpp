// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "weft/app/kind.hpp"

// The events application: keyed event streams (financial transactions,
// sensor readings) read from CSV, validated, shuffled by key over the
// ranks, aggregated and checked by detection rules. See docs/events.md.
namespace weft::events {

// application_kind() is the events application for the registry (one
// instance, alive for the whole program).
const app::ApplicationKind& application_kind();

}  // namespace weft::events
