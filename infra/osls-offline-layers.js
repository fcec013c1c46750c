'use strict';

// Local osls plugin: lets `osls package` run without AWS credentials although serverless.yml
// declares a layer (`layers.pythonDeps`).
//
// Why: when it compiles layers, osls 4.3.x (like the Serverless Framework since 1.80,
// serverless/serverless#8187) calls CloudFormation DescribeStacks to find out whether the
// deployed stack already has a layer with the same hash, so it can reuse its S3 object
// (AwsCompileLayers.compareWithLastLayer). With no credentials, `package` fails with
// "AWS provider credentials not found".
//
// What: only when DANGQUN_PACKAGE_OFFLINE=1 and the command is `package`, that lookup is
// skipped. The result is the template osls produces for a stack that does not exist yet: the
// layer zip is uploaded by the next `deploy --package` (a new layer version, never a broken
// one). `osls deploy` without the variable keeps the lookup.

const ENV_FLAG = 'DANGQUN_PACKAGE_OFFLINE';

class OfflineLayers {
  constructor(serverless, options, utils) {
    this.serverless = serverless;
    this.log = (utils && utils.log) || console;
    this.hooks = {};
    const command = (serverless.processedInput && serverless.processedInput.commands) || [];
    if (process.env[ENV_FLAG] === '1' && command.length === 1 && command[0] === 'package') {
      this.hooks['before:package:compileLayers'] = () => this.skipLayerLookup();
    }
  }

  skipLayerLookup() {
    const compilers = this.serverless.pluginManager.plugins.filter(
      (plugin) => plugin && typeof plugin.compareWithLastLayer === 'function'
    );
    if (compilers.length === 0) {
      throw new this.serverless.classes.Error(
        `${ENV_FLAG}=1 but no osls plugin has compareWithLastLayer(): osls internals changed, ` +
          'update infra/osls-offline-layers.js'
      );
    }
    for (const compiler of compilers) {
      compiler.compareWithLastLayer = async () => undefined;
    }
    this.log.info(`${ENV_FLAG}=1: not looking up the deployed stack's layers (packaging offline)`);
  }
}

module.exports = OfflineLayers;
