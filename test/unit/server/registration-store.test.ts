import { InMemoryRegistrationStore } from '../../../src/lwm2m/server/registration-store.js';
import { registrationStoreContract } from '../../helpers/registration-store-contract.js';

registrationStoreContract('InMemoryRegistrationStore', () => new InMemoryRegistrationStore());
