import type { StoreAvailability } from './contenders';
import type { Machine } from './machine';
import type { GrowthResult } from './sections/growth';
import type { HttpCell } from './sections/http';
import type { MemoryResult } from './sections/memory';
import type { PartsResult } from './sections/parts';
import type { ThroughputLevel, ThroughputResult } from './sections/throughput';

/** Everything one `npm run bench` measured, as written to bench/results/*.json. */
export interface BenchResult {
  startedAt: string;
  durationSeconds: number;
  machine: Machine;
  plan: {
    repetitions: number;
    levels: ThroughputLevel[];
    /** Why a level is smaller than the issue asks, when it is. */
    scaledDown: string[];
    httpConnections: number[];
    httpSeconds: number;
    growthLevels: number[];
  };
  stores: StoreAvailability[];
  throughput: ThroughputResult;
  http: HttpCell[];
  growth: GrowthResult;
  memory: MemoryResult;
  /** Absent from results written before it was measured. */
  parts?: PartsResult;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
  /** Why not, when not; or a caveat. */
  note?: string;
}
