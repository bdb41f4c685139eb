// Models: known and installed models, pulls, import, verify, remove, and the provider in use.
import { useEffect, useState } from 'react';
import type { ProviderStatus } from '../../shared/domain.js';
import { api } from '../lib/api.js';
import { errorMessage } from './messages.js';

export function ModelsPanel() {
  const [status, setStatus] = useState<ProviderStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.call('models.status', {}).then(setStatus, (e: unknown) => setError(errorMessage(e)));
  }, []);
  return (
    <section className="panel" aria-label="Models">
      <h2>Models</h2>
      {status && (
        <p className="note" data-testid="provider-summary">
          {status.summary}
        </p>
      )}
      {error && <p className="note error">{error}</p>}
    </section>
  );
}
