/**
 * A seeded, deterministic generator of labelled payment traffic: {@link dev.vigil.simulate.Simulator}
 * turns a {@link dev.vigil.simulate.SimulationConfig} into an endless, event-time-ordered stream of
 * {@link dev.vigil.simulate.SimulatedEvent}s (account events, and transactions with a
 * {@link dev.vigil.simulate.Label} saying whether they belong to an injected
 * {@link dev.vigil.simulate.Scenario}).
 *
 * <p>Only domain objects come out of here; JSON, Kafka and file writing are adapters elsewhere.
 */
package dev.vigil.simulate;
