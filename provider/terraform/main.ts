/**
 * terraform-provider-shoreguard: the executable Terraform/OpenTofu start (through the wrapper
 * script `shoreguard-iac terraform install` lays out). Nothing but the handshake line may reach
 * stdout.
 */
import { lookups, resources } from '../resources';
import { runPlugin } from './plugin';

// Terraform forwards Ctrl-C to the whole process group and then asks the provider to stop over
// gRPC (StopProvider, Shutdown). Dying on SIGINT would cut off in-flight ShoreGuard requests, so
// it is ignored, as go-plugin's own servers do.
process.on('SIGINT', () => undefined);

runPlugin({ resources, lookups })
  .then((server) => {
    if (!server) process.exit(1);
  })
  .catch((error: unknown) => {
    process.stderr.write(`terraform-provider-shoreguard failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
