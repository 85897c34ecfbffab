import { callApi, errorText, onCredentialsSubmit, showMessage } from './api.js';

const form = document.getElementById('login-form');
const error = document.getElementById('form-error');

onCredentialsSubmit(form, async (credentials) => {
  showMessage(error, '');
  const result = await callApi('POST', '/auth/login', credentials);
  if (result.ok) {
    window.location.assign('/account');
    return;
  }
  showMessage(error, errorText(result));
});
