// POST /api/risks/score (reference §4 and §5 Risk). Removed from the SDKs in Dec 2024 and its
// current availability is unconfirmed; the emulator keeps the recorded 2021 behaviour.
import type { EmulatorContext } from './context';
import { HIGH_RISK, LOW_RISK } from './risk';
import type { Route } from './server';
import { json, jsonBody } from './server';
import { Validator } from './validate';

const SCORE_TYPES = ['source_of_funds', 'destination_of_funds'] as const;
// Old docs limited scoring to these coins (reference §4).
const SCORED_CURRENCIES = ['BTC', 'ETH', 'XRP', 'LTC', 'BCH'] as const;

export function riskRoutes(ctx: EmulatorContext): Route[] {
  return [
    {
      method: 'POST',
      pattern: ['api', 'risks', 'score'],
      handler: (req) => {
        const v = new Validator(jsonBody(req));
        const address = v.string('address');
        v.oneOf('currency', SCORED_CURRENCIES);
        v.oneOf('type', SCORE_TYPES);
        v.check();
        const risky = address !== null && ctx.withdrawals.isHighRiskAddress(address);
        return json(200, { data: { ...(risky ? HIGH_RISK : LOW_RISK) } });
      },
    },
  ];
}
